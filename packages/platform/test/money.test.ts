import test from 'ava';
import { fromMinorUnits, isCurrencyCode, minorUnitDigits, toMinorUnits } from '../src/index.js';

test('when an amount has at most the allowed decimals, then it converts exactly to minor units', (t) => {
  t.is(toMinorUnits(19.99, 'USD'), 1999);
  t.is(toMinorUnits(0.29, 'USD'), 29);
  t.is(toMinorUnits(89.99, 'EUR'), 8999);
  t.is(toMinorUnits(1200, 'JPY'), 1200);
  t.is(toMinorUnits(1.5, 'KWD'), 1500);
  t.is(toMinorUnits(99_999_999.99, 'USD'), 9_999_999_999);
});

test('when an amount has more decimals than allowed, then it does not convert', (t) => {
  t.is(toMinorUnits(1.005, 'USD'), undefined);
  t.is(toMinorUnits(0.1 + 0.2, 'USD'), undefined, 'its shortest form is 0.30000000000000004');
  t.is(toMinorUnits(1e-7, 'USD'), undefined);
  t.is(toMinorUnits(1.5e-7, 'USD'), undefined);
  t.is(toMinorUnits(10.5, 'JPY'), undefined);
  t.is(toMinorUnits(1.234, 'KWD'), undefined, 'the API allows at most 2 decimals even where the currency has 3');
});

test('when minor units convert back, then the decimal amount is restored', (t) => {
  t.is(fromMinorUnits(1999, 'USD'), 19.99);
  t.is(fromMinorUnits(1200, 'JPY'), 1200);
  t.is(minorUnitDigits('JPY'), 0);
});

test('when a currency code is checked, then only ISO 4217 codes pass', (t) => {
  t.true(isCurrencyCode('USD'));
  t.true(isCurrencyCode('EUR'));
  t.false(isCurrencyCode('XXY'));
  t.false(isCurrencyCode('usd'));
});
