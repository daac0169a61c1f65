// The `helm test` check (templates/tests/readyz.yaml): GET $READYZ_URL, retrying for up to
// $READYZ_TIMEOUT_SECONDS (60) while the controller starts; exit 0 on 200, 1 with the last answer otherwise.
const url = process.env.READYZ_URL;
const deadline = Date.now() + Number(process.env.READYZ_TIMEOUT_SECONDS || 60) * 1000;
let last = 'no answer';
while (Date.now() < deadline) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (res.status === 200) {
      console.log(`${url}: 200`);
      process.exit(0);
    }
    last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
  } catch (err) {
    last = String(err && err.message ? err.message : err);
  }
  await new Promise((r) => setTimeout(r, 2_000));
}
console.error(`${url} not ready: ${last}`);
process.exit(1);
