import fc from 'fast-check';
import { preAuthEncoding } from '../../lambda/cosign/dsse';

describe('preAuthEncoding', () => {
  it('matches the DSSE spec example', () => {
    // https://github.com/secure-systems-lab/dsse/blob/master/protocol.md test vector
    expect(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('counts bytes, not characters, and keeps the payload bytes as they are', () => {
    const payload = Buffer.from([0xe2, 0x82, 0xac, 0x00, 0xff]);
    const pae = preAuthEncoding('ty\u00e9', payload);
    expect(pae.subarray(0, 16).toString()).toBe('DSSEv1 4 ty\u00e9 5 ');
    expect(pae.subarray(pae.length - 5).equals(payload)).toBe(true);
  });

  it('property: the payload is the suffix and the header states both lengths', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array(), (type, bytes) => {
        const payload = Buffer.from(bytes);
        const pae = preAuthEncoding(type, payload);
        const header = `DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `;
        return (
          pae.subarray(0, pae.length - payload.length).toString() === header &&
          pae.subarray(pae.length - payload.length).equals(payload)
        );
      }),
    );
  });
});
