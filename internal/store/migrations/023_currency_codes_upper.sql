-- Before 021 a transaction's currency was any three characters as sent, so a
-- workspace may hold "rub" beside "RUB". Rates are set for upper-case ISO
-- 4217 codes only (store.ValidCurrency), so a lower-case code could never
-- convert; the API has upper-cased codes since 021, and this brings the
-- older rows in line. UPPER folds ASCII letters alike on both engines.
-- Codes that are not three letters even then stay as they are and are
-- counted as having no rate.
UPDATE transactions SET currency = UPPER(currency) WHERE currency <> UPPER(currency);

-- 021 chose a reporting currency from those codes: fold it the same way.
UPDATE currency_settings SET reporting_currency = UPPER(reporting_currency)
WHERE reporting_currency <> UPPER(reporting_currency);
