'use strict';
/**
 * One Lambda execution environment, as the Node.js runtime runs it: the init phase requires the
 * handler module from the task root, then invocations arrive one at a time (over IPC here) and
 * `handler(event, context)` is awaited. After each invocation a marker line on stdout tells the
 * parent that every line the invocation wrote has been flushed.
 */
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { registerHooks } = require('node:module');
const { pathToFileURL } = require('node:url');

const [handlerFile, exportName, timeoutMs] = process.argv.slice(2);
const END_MARKER = '__image_guard_e2e_invocation_end__';

function serialize(e) {
  if (e instanceof Error) {
    return { name: e.name, message: e.message, code: e.code, stack: e.stack };
  }
  return { name: 'NonError', message: String(e) };
}

function flushStdout() {
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}

/**
 * The Lambda Node.js runtimes (18.x and later) search NODE_PATH when resolving ES module imports,
 * which plain Node does not (https://aws.amazon.com/blogs/compute/node-js-18-x-runtime-now-available-in-aws-lambda/):
 * that is how a bundle's `import('@aws-sdk/client-…')` finds the SDK the runtime provides.
 */
function searchNodePathForImports() {
  const folders = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (e) {
        const bare = !/^(?:[./]|file:|node:|data:)/.test(specifier);
        if (!bare || e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
        for (const folder of folders) {
          try {
            return nextResolve(specifier, {
              ...context,
              parentURL: pathToFileURL(path.join(folder, '__lambda_node_path__.js')).href,
            });
          } catch {
            // not in this folder
          }
        }
        throw e;
      }
    },
  });
}

let handler;
let initError;
searchNodePathForImports();
try {
  process.chdir(path.dirname(handlerFile));
  handler = require(handlerFile)[exportName];
  if (typeof handler !== 'function') throw new Error(`${handlerFile} exports no function ${exportName}`);
} catch (e) {
  initError = serialize(e);
}

process.on('message', async (message) => {
  if (!message || message.type !== 'invoke') return;
  const requestId = randomUUID();
  const deadline = Date.now() + Number(timeoutMs);
  const context = {
    awsRequestId: requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:111122223333:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let reply;
  if (initError) {
    reply = { type: 'error', id: message.id, error: { ...initError, phase: 'init' } };
  } else {
    try {
      reply = { type: 'result', id: message.id, result: await handler(JSON.parse(message.event), context) };
    } catch (e) {
      reply = { type: 'error', id: message.id, error: serialize(e) };
    }
  }
  process.stdout.write(`${END_MARKER} ${message.id}\n`);
  await flushStdout();
  process.send(reply);
});

process.send({ type: initError ? 'init-error' : 'ready', error: initError });
