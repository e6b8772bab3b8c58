-- A user's time zone (an IANA name such as Asia/Tokyo). NULL until the
-- browser reports one at first sign-in or the user chooses one; panel
-- pages show times in UTC meanwhile.
ALTER TABLE users ADD COLUMN time_zone TEXT NULL;
