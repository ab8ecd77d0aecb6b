// Preloaded (node --require) into every Node child the local stack starts. The parent keeps the
// child's stdin open as a pipe and never writes to it; the pipe only closes when the parent is
// gone, including when it was killed with SIGKILL and could not stop its children. Then this
// process stops as if asked to (SIGTERM, so its own shutdown handlers still run), and is killed
// outright if that takes too long. SIGKILL rather than process.exit, because a program may have
// replaced process.exit.
const { isMainThread } = require('node:worker_threads');

const graceMs = 5000;

// Preloads also run inside the thread of `--import` loader hooks (tsx), whose stdin is an empty
// stream that ends at once; only the main thread's stdin is the parent's pipe.
if (isMainThread) {
  process.stdin.on('error', () => {});
  process.stdin.on('end', () => {
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), graceMs).unref();
    process.kill(process.pid, 'SIGTERM');
  });
  process.stdin.resume();
  // Watching stdin must not be what keeps this process alive.
  process.stdin.unref?.();
}
