-- 006_intake: reserved; filled by the issue that needs it.
SELECT 1;
