import test from 'ava';
import { rssGrowth } from '../src/rss-growth.js';

test('when a process grows less than the limit or shrinks, then it is ok', (t) => {
  const [grew, shrank] = rssGrowth({ catalog: 100, moto: 80 }, { catalog: 109.9, moto: 70 }, 0.1);
  t.like(grew, { name: 'catalog', firstMb: 100, lastMb: 109.9, growth: 0.099, ok: true });
  t.like(shrank, { name: 'moto', growth: -0.125, ok: true });
});

test('when a process grows by the limit or more, then it is not ok', (t) => {
  t.like(rssGrowth({ inventory: 200 }, { inventory: 220 }, 0.1)[0], { growth: 0.1, ok: false });
});

test('when a process is gone at either sample, then it is not ok', (t) => {
  const [ended, missing] = rssGrowth({ gateway: 150, dynalite: 0 }, { dynalite: 120 }, 0.1);
  t.like(ended, { name: 'gateway', lastMb: 0, ok: false });
  t.like(missing, { name: 'dynalite', ok: false });
});
