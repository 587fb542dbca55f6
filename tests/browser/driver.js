#!/usr/bin/env node
// The "browser" of the end-to-end tests: BROWSER points here, so kubectl-entra runs
// `driver.js URL`, and this drives the sandbox's sign-in page in headless Chromium like a person:
// it picks an account, clicks Sign in (or Cancel), follows the redirect to kubectl-entra's
// loopback page and records what each page said in $ENTRA_DRIVER_LOG (JSON lines; never URLs,
// which carry codes). `driver.js --device URL CODE` does the same on the device-login page.
//
// Environment: ENTRA_DRIVER_ACTION = accept (default) | decline | wrong-state (replays the
// redirect with another state first) | ignore (start nothing); ENTRA_DRIVER_USER = the account
// to choose (default: the one the page preselects); CHROMIUM = the executable
// (default /usr/bin/chromium).
'use strict';
const fs = require('fs');
const puppeteer = require('puppeteer-core');

function log(entry) {
  const file = process.env.ENTRA_DRIVER_LOG;
  if (file) fs.appendFileSync(file, JSON.stringify(entry) + '\n');
}

async function resultText(page) {
  return page.$eval('#result', (e) => e.textContent).catch(() => null);
}

async function authorize(page, url, action) {
  let held = null;
  if (action === 'wrong-state') {
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const u = new URL(req.url());
      const loopback = u.hostname === 'localhost' || u.hostname === '127.0.0.1';
      if (!held && loopback && u.searchParams.has('code')) {
        held = req.url();
        req.abort();
      } else {
        req.continue();
      }
    });
  }
  await page.goto(url, { waitUntil: 'load' });
  log({
    event: 'signin-page',
    title: await page.title(),
    selected: await page.$eval('#user', (e) => e.value).catch(() => null),
  });
  if (process.env.ENTRA_DRIVER_USER) await page.select('#user', process.env.ENTRA_DRIVER_USER);
  const button = action === 'decline' ? '#decline' : '#accept';
  if (action === 'wrong-state') {
    await page.click(button);
    for (let i = 0; i < 200 && !held; i++) await new Promise((r) => setTimeout(r, 50));
    if (!held) throw new Error('no redirect to the loopback listener');
    const bad = new URL(held);
    bad.searchParams.set('state', 'not-the-state-kubectl-entra-sent');
    const first = await page.goto(bad.href, { waitUntil: 'load' });
    log({ event: 'result', attempt: 'wrong-state', status: first.status(), text: await resultText(page) });
    const second = await page.goto(held, { waitUntil: 'load' });
    log({ event: 'result', attempt: 'original', status: second.status(), text: await resultText(page) });
    return;
  }
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(button)]);
  log({ event: 'result', status: response ? response.status() : null, text: await resultText(page) });
}

async function deviceLogin(page, url, code) {
  await page.goto(url, { waitUntil: 'load' });
  log({ event: 'devicelogin-page', title: await page.title() });
  await page.type('#otc', code);
  if (process.env.ENTRA_DRIVER_USER) await page.select('#user', process.env.ENTRA_DRIVER_USER);
  const action = process.env.ENTRA_DRIVER_ACTION === 'decline' ? 'decline' : 'approve';
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click(`button[value="${action}"]`),
  ]);
  log({ event: 'result', status: response ? response.status() : null, text: await resultText(page) });
}

async function main() {
  const args = process.argv.slice(2);
  const device = args[0] === '--device';
  const url = device ? args[1] : args[0];
  const action = process.env.ENTRA_DRIVER_ACTION || 'accept';
  log({ event: 'invoked', mode: device ? 'device' : 'authorize', action });
  if (action === 'ignore') return;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    if (device) await deviceLogin(page, url, args[2]);
    else await authorize(page, url, action);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  log({ event: 'error', message: String(e && e.message) });
  process.stderr.write(`driver.js: ${e && e.stack}\n`);
  process.exit(1);
});
