// Records the merged contract as the released one, which the compatibility test compares against.
// Run on a release: `npm run release -w @shop/contracts`.
import { writeFileSync } from 'node:fs';
import { apiDocument } from '../src/api-document.js';
import { releasedContractUrl } from '../src/contract-compatibility.js';

const document = apiDocument();
writeFileSync(releasedContractUrl, `${JSON.stringify(document, null, 2)}\n`);
console.log(`released contract ${String(document.info.version)} written to contracts/released/shop-api.json`);
