import { openConfiguredStore, runCli } from './cli-support';
import { migrate } from '../ledger/database/migrate';

/** `npm run migrate`: applies pending migrations (the service also does this at start). */
runCli(async () => {
  const { handle } = await openConfiguredStore({ migrate: false });
  try {
    const applied = await migrate(handle.url);
    console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema up to date');
    return 0;
  } finally {
    await handle.close();
  }
});
