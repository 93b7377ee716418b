import { LruCache } from '../../lambda/cache/lru-cache';

describe('LruCache', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<number>(2);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    expect(cache.get('a')).toBe(1); // a is now the youngest
    cache.set('c', 3, 1000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('expires entries after their ttl', () => {
    let now = 0;
    const cache = new LruCache<string>(10, () => now);
    cache.set('k', 'v', 100);
    now = 99;
    expect(cache.get('k')).toBe('v');
    now = 100;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never grows beyond its bound', () => {
    const cache = new LruCache<number>(50);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, i, 1000);
    expect(cache.size).toBe(50);
    expect(cache.get('k999')).toBe(999);
    expect(cache.get('k0')).toBeUndefined();
  });

  it('rejects a non-positive bound', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});

describe('LruCache bounded by bytes', () => {
  const bySize = { maxBytes: 100, sizeOf: (_key: string, value: string) => value.length };

  it('evicts the least recently used entries until the total fits', () => {
    const cache = new LruCache<string>(1000, Date.now, bySize);
    cache.set('a', 'x'.repeat(40), 1000);
    cache.set('b', 'y'.repeat(40), 1000);
    expect(cache.get('a')).toBeDefined(); // b is now the oldest
    cache.set('c', 'z'.repeat(40), 1000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.bytes).toBe(80);
  });

  it('never holds more than its bound, however many entries arrive', () => {
    const cache = new LruCache<string>(1_000_000, Date.now, bySize);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, 'v'.repeat(1 + (i % 30)), 1000);
    expect(cache.bytes).toBeLessThanOrEqual(100);
    expect(cache.size).toBeLessThan(20);
    expect(cache.get('k999')).toBe('v'.repeat(1 + (999 % 30)));
  });

  it('does not keep a value bigger than the whole bound (and drops what the key held)', () => {
    const cache = new LruCache<string>(10, Date.now, bySize);
    cache.set('k', 'small', 1000);
    cache.set('k', 'x'.repeat(101), 1000);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('gives the bytes back when an entry is replaced, deleted or expires', () => {
    let now = 0;
    const cache = new LruCache<string>(10, () => now, bySize);
    cache.set('a', 'x'.repeat(10), 100);
    cache.set('a', 'x'.repeat(20), 100);
    expect(cache.bytes).toBe(20);
    cache.set('b', 'y'.repeat(5), 50);
    cache.delete('a');
    expect(cache.bytes).toBe(5);
    now = 50;
    expect(cache.get('b')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
