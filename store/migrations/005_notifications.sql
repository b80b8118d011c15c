-- 005_notifications: reserved; filled by the issue that needs it.
SELECT 1;
