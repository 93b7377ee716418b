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
