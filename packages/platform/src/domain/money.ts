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

/**
 * Converts a decimal amount to integer minor units, or undefined when it has more decimals than
 * the currency's minor unit (or than `maxDecimals`) allows.
 */
export function toMinorUnits(amount: number, currency: string, maxDecimals = 2): number | undefined {
  const digits = minorUnitDigits(currency);
  const allowed = Math.min(digits, maxDecimals);
  const scaledAllowed = amount * 10 ** allowed;
  if (Math.abs(scaledAllowed - Math.round(scaledAllowed)) > 1e-6) return undefined;
  return Math.round(amount * 10 ** digits);
}

/** Converts integer minor units back to the decimal amount the API shows. */
export function fromMinorUnits(minor: number, currency: string): number {
  return minor / 10 ** minorUnitDigits(currency);
}
