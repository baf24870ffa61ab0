require('./orders.cjs').ordersSuite('a');
