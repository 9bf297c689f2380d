// Bare Express 5: the same route shape with no session, the ceiling for Express contenders.
import express from 'express';
import { createServer } from 'node:http';
import { listen } from './common.ts';

const app = express();
app.get('/', (_req, res) => {
  res.type('text/plain').send('1');
});
listen(createServer(app));
