import sharp from 'sharp';
import type { BenchStack } from './bench-stack.js';
import { rssMb } from './bench-stack.js';
import type { LoadResult } from './load-runner.js';
import { quantileOf } from './open-loop.js';
import type { BenchSettings, Scenario } from './scenario.js';

/** A camera-like photo: noise keeps the JPEG near 2 MB, as a phone's would be. */
async function photo(): Promise<Buffer> {
  return sharp({
    create: {
      width: 2600,
      height: 1800,
      channels: 3,
      background: '#6a8cae',
      noise: { type: 'gaussian', mean: 110, sigma: 22 },
    },
  })
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** Runs `work` for indexes 0..count-1 with `concurrency` at a time; the time of each, in ms. */
async function timedPool(count: number, concurrency: number, work: (index: number) => Promise<void>) {
  const times = new Float64Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count; index = next++) {
        const at = performance.now();
        await work(index);
        times[index] = performance.now() - at;
      }
    }),
  );
  return { times, ms: performance.now() - started };
}

const resultOf = (count: number, ms: number, times?: Float64Array, errors = 0): LoadResult => ({
  rps: (count * 1000) / Math.max(ms, 1),
  p50Ms: times ? quantileOf(times, 0.5) : 0,
  p99Ms: times ? quantileOf(times, 0.99) : 0,
  errors,
  requests: count,
  successes: count - errors,
});

/**
 * Product images: the time from "upload done" to the image on the product (`POST .../images`:
 * read from S3, checked, three WebP sizes written, a product version) for a 2 MB photo, two at a
 * time (the machine's cores), against sharp alone making the same three sizes from the same bytes
 * in this process; and catalog's memory after all of them. Reported only.
 */
export const mediaAttach: Scenario = {
  name: 'media.attach',
  async run(stack: BenchStack, settings: BenchSettings) {
    const count = settings.quick ? 20 : 200;
    const concurrency = 2;
    const bytes = await photo();
    const catalog = await stack.startService('catalog');
    const admin = { authorization: await stack.bearer('admin'), 'content-type': 'application/json' };
    const api = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${catalog.url}${path}`, { method, headers: admin, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    // Ten images per product (the most a product takes); every upload made before the clock runs.
    const uploads: Array<{ productId: string; uploadId: string }> = [];
    let productId = '';
    for (let index = 0; index < count; index += 1) {
      if (index % 10 === 0) {
        productId = String(
          (await api('POST', '/api/products', { name: `Photo ${index}`, description: '', price: 10 })).body.id,
        );
      }
      const asked = await api('POST', `/api/products/${productId}/images/uploads`, {
        contentType: 'image/jpeg',
        size: bytes.length,
      });
      const form = new FormData();
      for (const [name, value] of Object.entries(asked.body.fields as Record<string, string>)) form.append(name, value);
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }));
      const sent = await fetch(String(asked.body.url), { method: 'POST', body: form });
      if (sent.status >= 300) throw new Error(`the upload form was refused: ${sent.status}`);
      uploads.push({ productId, uploadId: String(asked.body.uploadId) });
    }
    const rssBefore = rssMb(catalog.child.pid);
    let errors = 0;
    const service = await timedPool(count, concurrency, async (index) => {
      const { productId, uploadId } = uploads[index] ?? { productId: '', uploadId: '' };
      const answer = await api('POST', `/api/products/${productId}/images`, { uploadId, alt: `Photo ${index}` });
      if (answer.status !== 201) errors += 1;
    });
    const rssAfter = rssMb(catalog.child.pid);
    const baseline = await timedPool(count, concurrency, async () => {
      const decoded = sharp(bytes).rotate();
      await Promise.all(
        [200, 600, 1200].map((width) => decoded.clone().resize({ width }).webp({ quality: 80 }).toBuffer()),
      );
    });
    return {
      measured: {
        service: resultOf(count, service.ms, service.times, errors),
        baseline: resultOf(count, baseline.ms, baseline.times),
      },
      rssMb: rssAfter,
      checks: [{ name: `all ${count} images attached (${count - errors})`, ok: errors === 0 }],
      figures: {
        photoBytes: bytes.length,
        attachP50Ms: Math.round(quantileOf(service.times, 0.5)),
        attachP99Ms: Math.round(quantileOf(service.times, 0.99)),
        catalogRssBeforeMb: rssBefore,
        catalogRssAfterMb: rssAfter,
      },
    };
  },
};
