// Every HTTP method a route answers itself, so a wrong one gets 405 from its guard rather than a bare 404.
export const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;
