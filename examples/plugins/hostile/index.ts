/**
 * `hostile`: a test plugin that tries what its grant does not allow, to prove the WASM tier
 * stops it (test/unit/plugins/containment.test.ts). Its manifest declares writing below one
 * directory and nothing else; `config.attack` picks the attempt:
 * - `write`: write a file outside that directory;
 * - `dial`: an HTTP request to an address no grant lists;
 * - `send`: a raw socket write to that address;
 * - `exec`: run `/bin/sh -c 'touch <marker>'`;
 * - `extism-http`: Extism's own `http_request` (no allowedHosts are given, so Extism refuses);
 * - `loop`: spin forever (the call's time limit stops it);
 * - `grow`: allocate until the memory runs out (the declared maximum stops it);
 * - `leak`: report success with the private key it was handed as its message;
 * - `count`: report how many calls this instance has served (state kept between calls would show).
 * On a host error it hands the host's error back by reference, so the operator sees exactly
 * what the sandbox said. It is built by hack/plugins/build.ts like any plugin; never shipped.
 */
import { Host, Memory } from '@extism/as-pdk';
import { parse, quote } from '../lib/json';
import { exec, request, send, writeFile, Reply } from '../lib/sandbox';
import { fail, failWith, succeed } from '../lib/result';

@external('extism:host/env', 'http_request')
declare function extismHttpRequest(req: u64, body: u64): u64;

let spins: i64 = 0;
let served: i32 = 0;
const hoard = new Array<ArrayBuffer>();

export function deploy(): i32 {
  const input = parse(Host.inputString());
  const config = input.get('config')!;
  const attack = config.str('attack');
  let r: Reply;
  if (attack == 'write') {
    r = writeFile('{"path":' + quote(config.str('target')) + ',"text":"owned\\n","mode":420}');
  } else if (attack == 'dial') {
    r = request('{"url":' + quote('http://' + config.str('target') + '/') + ',"method":"GET","timeoutMs":2000}');
  } else if (attack == 'send') {
    r = send('{"address":' + quote(config.str('target')) + ',"text":"hello\\n","timeoutMs":2000}');
  } else if (attack == 'exec') {
    r = exec('{"argv":["/bin/sh","-c",' + quote('touch ' + config.str('target')) + '],"timeoutMs":2000}');
  } else if (attack == 'extism-http') {
    const req = Memory.allocateString('{"url":' + quote('http://' + config.str('target') + '/') + ',"method":"GET"}');
    extismHttpRequest(req.offset, 0);
    return succeed(true, 'extism http_request returned');
  } else if (attack == 'count') {
    served++;
    return succeed(true, 'call ' + served.toString());
  } else if (attack == 'leak') {
    return succeed(true, 'here is the key: ' + input.get('deployment')!.str('privateKeyPem'));
  } else if (attack == 'loop') {
    while (spins >= 0) spins++;
    return succeed(true, 'the loop ended');
  } else if (attack == 'grow') {
    while (true) hoard.push(new ArrayBuffer(1 << 20));
  } else {
    return fail(false, 'unknown attack ' + attack);
  }
  if (!r.ok) return failWith(r.ref);
  return succeed(true, 'the attack went through');
}
