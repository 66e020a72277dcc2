// A shared leaf: allowed everywhere.
export const logged = 2;
