// Runs kinesis-local (kinesis-mock compiled to JavaScript) bound to 127.0.0.1 only. It always
// listens on every interface (host 0.0.0.0 is hard-coded and it then calls listen(port) with no
// host), so before loading it we make any listen() without a specific host use the loopback
// address. Configuration comes from the environment, as kinesis-local documents it.
const net = require('node:net');

const loopback = '127.0.0.1';
const unspecified = new Set([undefined, null, '', '0.0.0.0', '::', '[::]']);
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first) && first.path === undefined) {
    if (unspecified.has(first.host)) args[0] = { ...first, host: loopback };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof second === 'string') {
      if (unspecified.has(second)) args[1] = loopback;
    } else {
      args.splice(1, 0, loopback);
    }
  }
  return listen.apply(this, args);
};

// It reads its TLS certificate from ./server.json relative to the working directory by default.
process.env.KINESIS_MOCK_CERT_PATH ??= require.resolve('kinesis-local/server.json');

require('kinesis-local/main.js');
