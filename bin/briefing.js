#!/usr/bin/env node
// Runs the compiled CLI; `npm run build:ts` (part of install and test) produces dist/.
import { main } from '../dist/cli.js';
main(process.argv);
