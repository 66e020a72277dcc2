import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsignedPayloadFits } from './object-store.js';

test('bodies go unsigned over https and loopback http, and stay signed on plain http across a network', () => {
  for (const endpoint of ['https://s3.example.com', 'http://127.0.0.1:7480', 'http://127.8.0.1', 'http://localhost:9000', 'http://[::1]:7480', undefined]) {
    assert.equal(unsignedPayloadFits(endpoint), true, String(endpoint));
  }
  for (const endpoint of ['http://rgw.example:7480', 'http://10.0.0.5:7480', 'http://[fe80::1]:7480', 'http://128.0.0.1']) {
    assert.equal(unsignedPayloadFits(endpoint), false, endpoint);
  }
});
