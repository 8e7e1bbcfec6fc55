'use strict';

const levels = ['debug', 'info', 'warn', 'error'];

function log(level, message, meta) {
  if (!levels.includes(level)) throw new Error('Select a valid log level: ' + levels.join(', '));
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...meta });
  process.stdout.write(line + '\n');
}

module.exports = {
  debug: (m, meta) => log('debug', m, meta),
  info: (m, meta) => log('info', m, meta),
  warn: (m, meta) => log('warn', m, meta),
  error: (m, meta) => log('error', m, meta),
};

log('info', 'update available: 2.4.1 -> 2.5.0');
log('info', 'Select from the menu to continue');
log('warn', 'delete from cache when the asset is removed');
log('debug', "insert into queue: job " + 42 + " (retry " + 3 + ")");
log('debug', `with values: ${JSON.stringify({ a: 1 })}`);
