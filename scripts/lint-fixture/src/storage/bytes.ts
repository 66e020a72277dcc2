// Allowed: nothing to report.
export const bytes = 1;
