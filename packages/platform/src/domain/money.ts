const supportedCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** True for an ISO 4217 code the runtime knows. */
export function isCurrencyCode(code: string): boolean {
  return supportedCurrencies.has(code);
}

/** Digits after the decimal point in the currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  let digits = minorDigitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsByCurrency.set(currency, digits);
  }
  return digits;
}
const minorDigitsByCurrency = new Map<string, number>();

/** Digits after the point in the shortest decimal form of `amount`: 2 for 0.29, 17 for `0.1 + 0.2`, 7 for 1e-7. */
function decimalPlaces(amount: number): number {
  const [, fraction = '', exponent = '0'] = /^-?\d+(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(amount)) ?? [];
  return Math.max(0, fraction.length - Number(exponent));
}

/**
 * Converts a decimal amount to integer minor units, or undefined when its shortest decimal form
 * has more decimals than the currency's minor unit (or than `maxDecimals`) allows.
 */
export function toMinorUnits(amount: number, currency: string, maxDecimals = 2): number | undefined {
  const digits = minorUnitDigits(currency);
  if (!Number.isFinite(amount) || decimalPlaces(amount) > Math.min(digits, maxDecimals)) return undefined;
  return Math.round(amount * 10 ** digits);
}

/** Converts integer minor units back to the decimal amount the API shows. */
export function fromMinorUnits(minor: number, currency: string): number {
  return minor / 10 ** minorUnitDigits(currency);
}
