'use strict';
module.exports = async () => {
  await globalThis.__app.close();
};
