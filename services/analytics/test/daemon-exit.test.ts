import test from 'ava';
import { type DaemonEnd, workerExitCode } from '../src/worker/daemon-exit.js';

const stopped: DaemonEnd = { stopRequested: true, shutdownCompleted: true, code: 143, signal: null };

test('when a requested stop finished within the grace and Java exited 143, then the worker exits 0', (t) => {
  t.is(workerExitCode(stopped), 0);
  t.is(workerExitCode({ ...stopped, code: 0 }), 0);
});

test('when a requested stop ran past the grace or the daemon had to be killed, then the worker exits 1', (t) => {
  t.is(workerExitCode({ ...stopped, shutdownCompleted: false }), 1);
  t.is(workerExitCode({ ...stopped, shutdownCompleted: false, code: null, signal: 'SIGKILL' }), 1);
  t.is(workerExitCode({ ...stopped, code: 1 }), 1);
});

test('when the daemon ends without being asked, then the worker exits non-zero, with its code when it has one', (t) => {
  const crashed = { stopRequested: false, shutdownCompleted: false, signal: null };
  t.is(workerExitCode({ ...crashed, code: 1 }), 1);
  t.is(workerExitCode({ ...crashed, code: 143, shutdownCompleted: true }), 143);
  t.is(workerExitCode({ ...crashed, code: 0 }), 1);
  t.is(workerExitCode({ ...crashed, code: null, signal: 'SIGKILL' }), 1);
});
