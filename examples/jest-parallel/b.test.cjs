require('./orders.cjs').ordersSuite('b');
