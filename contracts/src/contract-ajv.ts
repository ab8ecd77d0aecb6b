import type { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';

// ajv-formats is CommonJS with its plugin as `module.exports`; under NodeNext the default import is
// typed as the module namespace, while at run time it is the plugin itself.
export const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;
