// Placeholder main job until the CLI lands: enables an injection and prints its hits.
import { injector } from '../dist/esm/index.mjs';

injector.hits$.subscribe((e) => console.log(JSON.stringify(e)));
injector.enable('demo_lambda', { count: 3, parameters: { hello: 'world' } });
for (let i = 0; i < 5; i++) injector.inject('demo_lambda', () => {});
