// Keeps one non-extractable WebCrypto signing key in IndexedDB, so the key survives a reload
// while its certificate request is with the CA. A CryptoKey stored in IndexedDB stays
// non-extractable: the page can sign with it but nobody can read the private key out.
const DB = 'nv2-portal';
const STORE = 'keys';
const ID = 'signing-key';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req?.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/** `{ keyPair, curve, csr, thumbprint, created }` or undefined. */
export const loadKey = () => tx('readonly', (s) => s.get(ID)).catch(() => undefined);
export const saveKey = (record) => tx('readwrite', (s) => s.put(record, ID));
export const deleteKey = () => tx('readwrite', (s) => s.delete(ID));
