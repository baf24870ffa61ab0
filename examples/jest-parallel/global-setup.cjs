'use strict';
// One app server for every test file: jest's workers inherit these variables.
const { startApp } = require('./app.cjs');

module.exports = async () => {
  const app = await startApp();
  globalThis.__app = app;
  process.env.APP_URL = app.appUrl;
  process.env.FAULTLINE_URL = app.faultlineUrl;
};
