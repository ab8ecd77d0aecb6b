import { S3Client } from '@aws-sdk/client-s3';
import test from 'ava';
import { uploadPost } from '../src/media/upload-post.js';

// Presigning is computed locally from the credentials; no request is sent.
const s3 = new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
});

function policyOf(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
}

test('when an upload is presigned, then its policy pins the bucket, the key, the declared type and size, and expires', async (t) => {
  const started = Date.now();
  const post = await uploadPost(s3, {
    bucket: 'shop-uploads',
    key: 'uploads/P1/U1',
    contentType: 'image/png',
    size: 2_000_000,
    expiresSeconds: 300,
    now: () => started,
  });
  t.is(post.method, 'POST');
  t.regex(post.url, /shop-uploads/);
  t.is(post.fields.key, 'uploads/P1/U1');
  t.is(post.fields['Content-Type'], 'image/png');
  t.is(post.expiresAt, new Date(started + 300_000).toISOString());
  const policy = policyOf(post.fields);
  const conditions = policy.conditions.map((condition) => JSON.stringify(condition));
  for (const expected of [
    { bucket: 'shop-uploads' },
    ['eq', '$key', 'uploads/P1/U1'],
    ['eq', '$Content-Type', 'image/png'],
    ['content-length-range', 2_000_000, 2_000_000],
  ]) {
    t.true(conditions.includes(JSON.stringify(expected)), JSON.stringify(expected));
  }
  t.is(conditions.filter((condition) => condition.includes('content-length-range')).length, 1, 'one size range');
  const expiresIn = Date.parse(policy.expiration) - Date.now();
  t.true(expiresIn > 290_000 && expiresIn <= 300_000, `expires in ${expiresIn} ms`);
});

test('when the declared size is empty or over 10 MB, then no upload is presigned', async (t) => {
  const options = { bucket: 'shop-uploads', key: 'k', contentType: 'image/jpeg' as const, expiresSeconds: 300 };
  await t.throwsAsync(uploadPost(s3, { ...options, size: 0 }), { instanceOf: RangeError });
  await t.throwsAsync(uploadPost(s3, { ...options, size: 10 * 1024 * 1024 + 1 }), { instanceOf: RangeError });
});
