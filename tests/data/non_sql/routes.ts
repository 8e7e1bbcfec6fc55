import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { search } from './search';
import { logger } from './logger';

export const router = express.Router();

const Query = z.object({ q: z.string().min(1), page: z.coerce.number().default(0) });

router.get('/select', (req: Request, res: Response) => {
  res.render('select', { title: 'Select a plan', subtitle: 'Update available plans from the list' });
});

router.get('/search', async (req, res) => {
  const parsed = Query.safeParse(req.query);
  if (!parsed.success) {
    return res.status(400).json({ error: 'Select a search term', details: parsed.error.flatten() });
  }
  const results = await search.query(parsed.data.q, { page: parsed.data.page });
  logger.info(`search for "${parsed.data.q}" returned ${results.length} results`);
  res.json(results);
});

router.post('/cache/purge', async (req, res) => {
  logger.warn('delete from cache when the asset is removed', { ids: req.body.ids });
  await search.execute('purge', req.body.ids);
  res.sendStatus(204);
});

router.put('/settings', async (req, res) => {
  const msg = 'Update settings: set theme to ' + String(req.body.theme);
  logger.info(msg);
  res.json({ ok: true, message: 'Updated' });
});

router.get('/export', (req, res) => {
  const format = req.query.format === 'csv' ? 'csv' : 'json';
  res.setHeader('Content-Disposition', `attachment; filename="export.${format}"`);
  res.send(format === 'csv' ? 'select,insert,update\n1,2,3\n' : '{"select":1}');
});

router.use((err: Error, _req: Request, res: Response, _next: express.NextFunction) => {
  logger.error('Unhandled error: ' + err.message + ' (select a different route or retry)');
  res.status(500).send('Internal error. Insert coin to continue.');
});
