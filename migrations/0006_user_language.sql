-- Each person's interface language and time zone (NULL: the browser's
-- language, the server's time zone).
ALTER TABLE users ADD COLUMN language TEXT;
ALTER TABLE users ADD COLUMN timezone TEXT;
