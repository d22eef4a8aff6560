/** Rebuilds src/kernels-wasm.ts from assembly/: `npx tsx packages/kernels/scripts/build-kernels.ts`. */
import { writeFileSync } from 'node:fs';
import { GENERATED_MODULE, compileKernels, generatedModule } from './compile-kernels';

const binary = await compileKernels();
writeFileSync(GENERATED_MODULE, generatedModule(binary));
console.log(`wrote ${GENERATED_MODULE} (${binary.length} bytes of wasm)`);
