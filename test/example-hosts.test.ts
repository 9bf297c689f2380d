// One black-box check over every host's example: each route of examples/shared/kit.ts
// answers with the same status, media type and body as the node:http example (a redirect:
// the same status and Location; its body and type are the framework's).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routes } from '../examples/shared/kit.ts';
import type { ExampleRoute } from '../examples/shared/kit.ts';
import { Client, formToken } from './support/client.ts';
import {
  expressDriver,
  fastifyDriver,
  fetchDriver,
  honoDriver,
  nodeDriver,
} from './scenarios/drivers.ts';
import type { Driver, Started } from './scenarios/drivers.ts';

interface Answer {
  status: number;
  type: string | null;
  body: string;
  location: string | null;
}

const env = { COOKIE_SECRET: 'Hosts-Kq9Lw2Zr7Tn5Vb1Hm8Jd3Gs6Fc0PaXyZ' };

/** What a fresh browser gets from one route (a POST carries the token of the page of its form). */
async function answer(app: Started, route: ExampleRoute): Promise<Answer> {
  const browser = new Client((path, init) => app.fetch(path, init));
  let response: globalThis.Response;
  if (route.form !== undefined) {
    const token = formToken(await browser.text(route.form.from));
    response = await browser.post(route.sample, {
      ...route.form.fields,
      '__anti-forgery-token': token,
    });
  } else {
    response = await browser.get(route.sample);
  }
  const body = await response.text();
  const redirect = response.status >= 300 && response.status < 400;
  return {
    status: response.status,
    type: redirect ? null : (response.headers.get('content-type')?.split(';')[0] ?? null),
    // Tokens are fresh random bytes on every page.
    body: redirect ? '' : body.replace(/value="[A-Za-z0-9_-]{86}"/g, 'value="<token>"'),
    location: response.headers.get('location'),
  };
}

const checks: { name: string; route: ExampleRoute }[] = [
  ...routes.map((route) => ({ name: `${route.method} ${route.sample}`, route })),
  { name: 'GET /nope (404)', route: { method: 'GET', path: '/nope', sample: '/nope' } },
  {
    name: 'GET /session/put without k (400)',
    route: { method: 'GET', path: '/session/put', sample: '/session/put' },
  },
];

describe('every example answers the same routes the same way', () => {
  const drivers: Driver[] = [nodeDriver, fetchDriver, expressDriver, honoDriver, fastifyDriver];
  const started = new Map<string, Started>();
  before(async () => {
    for (const driver of drivers) started.set(driver.name, await driver.start(env));
  });
  after(async () => {
    for (const app of started.values()) await app.close();
  });

  for (const driver of drivers) {
    it(`L-13 on ${driver.name}: POST /logout/all ends every session of the signed-in user and no other`, async () => {
      const app = started.get(driver.name)!;
      const browse = () => new Client((path, init) => app.fetch(path, init));
      const [laptop, phone, bob, stranger] = [browse(), browse(), browse(), browse()];
      await laptop.get('/login/alice');
      await phone.get('/login/alice');
      await bob.get('/login/bob');
      const token = formToken(await laptop.text('/form'));
      assert.equal((await laptop.post('/logout/all', {})).status, 403, 'X-01: needs the token');
      const all = await laptop.post('/logout/all', { '__anti-forgery-token': token });
      assert.equal(all.status, 200);
      assert.equal(await all.text(), 'Signed out everywhere');
      assert.deepEqual(await laptop.json('/session'), {});
      assert.deepEqual(await phone.json('/session'), {});
      assert.deepEqual(await bob.json('/session'), { user: 'bob' });
      await phone.get('/login/alice');
      assert.deepEqual(await phone.json('/session'), { user: 'alice' }, 'signing in again works');
      const anonymous = formToken(await stranger.text('/form'));
      const refused = await stranger.post('/logout/all', { '__anti-forgery-token': anonymous });
      assert.equal(refused.status, 403);
      assert.equal(await refused.text(), 'Not signed in');
    });
  }

  for (const { name, route } of checks) {
    it(name, async () => {
      const reference = await answer(started.get(nodeDriver.name)!, route);
      if (route.path !== '/nope')
        assert.notEqual(reference.status, 404, 'the node example serves it');
      for (const driver of drivers.slice(1)) {
        assert.deepEqual(await answer(started.get(driver.name)!, route), reference, driver.name);
      }
    });
  }
});
