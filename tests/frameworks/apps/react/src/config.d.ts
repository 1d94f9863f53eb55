// src/config.js is written by the test: the local tenant's URL and client id.
export declare const domain: string;
export declare const clientId: string;
