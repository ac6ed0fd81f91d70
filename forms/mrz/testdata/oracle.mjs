// Runs the npm package mrz (5.0.2) over the generated MRZs in oracle-input.json (stdin) and
// prints what it read as oracle.json (stdout). See README.md. The package path comes from
// $MRZ_ORACLE (an absolute path to node_modules/mrz/lib/index.js).
import { readFileSync } from 'node:fs';

const { parse } = await import(process.env.MRZ_ORACLE);
const input = JSON.parse(readFileSync(0, 'utf8'));
const checkNames = {
  documentNumberCheckDigit: 'documentNumber',
  birthDateCheckDigit: 'birthDate',
  expirationDateCheckDigit: 'expiryDate',
  personalNumberCheckDigit: 'optionalData',
  compositeCheckDigit: 'composite',
};
const out = input.map((lines) => {
  const r = parse(lines);
  const checks = {};
  for (const d of r.details) {
    if (checkNames[d.field]) checks[checkNames[d.field]] = d.valid;
  }
  const f = r.fields;
  return {
    lines,
    oracle: {
      format: r.format,
      documentCode: f.documentCode ?? '',
      documentNumber: f.documentNumber ?? '',
      lastName: f.lastName ?? '',
      firstName: f.firstName ?? '',
      birthDate: f.birthDate ?? '',
      expirationDate: f.expirationDate ?? '',
      sex: f.sex ?? '',
      checks,
    },
  };
});
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
