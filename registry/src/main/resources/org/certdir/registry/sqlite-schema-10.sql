-- A CA imported with its key ('certdir ca import') continues the CRL numbers it issued before certdir held it
-- (RFC 5280 §5.2.3: a CRL number only grows): crl_number_floor is the last number it used elsewhere, and certdir's
-- next CRL of it is numbered above both that and every CRL of it in the crl table. 0 for every other CA.
ALTER TABLE ca ADD COLUMN crl_number_floor BIGINT NOT NULL DEFAULT 0
;
