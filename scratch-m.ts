import { createApp } from './examples/app/app.ts';
import { formEncode, ringKey, sealRing } from './src/stores/ring/ring-seal.ts';
const app = createApp({ COOKIE_SECRET: 'Xq3v8Lm1Rz6Tw0Pk4Nb7Jy2Hd5Fs9Gc-interop', COOKIE_NAME: 'myapp', RING_COOKIE_SECRET: 'QWHZKTMBRPXLVNJD' });
const c = formEncode(sealRing(ringKey('QWHZKTMBRPXLVNJD','x'), '{:user "carol", :ring.middleware.anti-forgery/anti-forgery-token "abc"}'));
try { const r = await app({ method: 'GET', path: '/session', query: new URLSearchParams(), scheme: 'http', headers: { cookie: `myapp=${c}` } }); console.log(r); } catch (e) { console.log('THROW', e); }
