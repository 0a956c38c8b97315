import * as http from 'http';
import * as https from 'https';
import type { CloudFormationCustomResourceResponse } from 'aws-lambda';

/** PUTs the response to CloudFormation's pre-signed URL (what cfn-response does). */
export function sendResponse(url: string, response: CloudFormationCustomResourceResponse): Promise<void> {
  const body = JSON.stringify(response);
  return new Promise((resolve, reject) => {
    // CloudFormation's URL is https; plain http only ever comes from a local test server.
    const req = (url.startsWith('http:') ? http : https).request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}
