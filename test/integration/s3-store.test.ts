import { after } from 'node:test';
import { blobStoreContract } from '../helpers/blob-store-contract.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';

after(stopOwnS3);

blobStoreContract('S3 store on the real S3 server', () => freshBucket());
