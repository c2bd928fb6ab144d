/* What afr_aid keeps on the phone, encrypted with a key made from the
 * volunteer's PIN: cases waiting to be sent, drafts, and the summary of their
 * open cases. A lost phone must not give its finder the queued names.
 *
 * The key: PBKDF2-SHA-256 over the PIN with a random salt, 600,000 rounds
 * (OWASP's figure for PBKDF2-SHA-256), giving an AES-GCM-256 key that never
 * leaves memory (not extractable, never stored): a reload asks for the PIN
 * again. Stored in clear: the salt, a check value encrypted with the key (to
 * tell a wrong PIN), and per record its status and time, so that "waiting to
 * send: N" shows before the PIN is given. Everything else is AES-GCM with a
 * fresh 96-bit IV per write. */
import { clear, createStore, del, entries, get, set } from "../vendor/idb-keyval-6.3.0/index.js";

const db = createStore("afr-offline", "records");
const ROUNDS = 600000;
const CHECK = "afr-ok";
let key = null;

const bytes = (n) => crypto.getRandomValues(new Uint8Array(n));

async function derive(pin, salt) {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", salt, iterations: ROUNDS, hash: "SHA-256" }, material,
    { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

async function seal(value, withKey = key) {
  const iv = bytes(12);
  const data = new TextEncoder().encode(JSON.stringify(value));
  return { iv, data: new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, withKey, data)) };
}

async function open(box, withKey = key) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, withKey, box.data);
  return JSON.parse(new TextDecoder().decode(plain));
}

export const hasPin = async () => Boolean(await get("pin", db));
export const unlocked = () => key !== null;
export const lock = () => { key = null; };

export async function setPin(pin) {
  const salt = bytes(16);
  const made = await derive(pin, salt);
  await set("pin", { salt, check: await seal(CHECK, made) }, db);
  key = made;
}

/* true when the PIN opens the store; a wrong PIN changes nothing. */
export async function unlock(pin) {
  const stored = await get("pin", db);
  if (!stored) return false;
  const made = await derive(pin, stored.salt);
  try {
    if ((await open(stored.check, made)) !== CHECK) return false;
  } catch (wrongKey) {
    return false;
  }
  key = made;
  return true;
}

/* Records: "case:<client_uuid>" ("waiting" or "draft"), "act:<id>" and "note:<id>"
 * ("waiting" or "conflict"), and "mine" (the volunteer's open cases). */
export async function put(name, status, value) {
  await set(name, { status, at: Date.now(), box: await seal(value) }, db);
}

export async function read(name) {
  const record = await get(name, db);
  return record ? { status: record.status, at: record.at, ...(await open(record.box)) } : null;
}

export const remove = (name) => del(name, db);

export const has = async (name) => Boolean(await get(name, db));

/* Status and time of every queued thing, readable without the PIN: cases
 * ("case:<client_uuid>"), workflow actions ("act:<id>") and notes ("note:<id>"). */
export async function cases() {
  return (await entries(db)).filter(([name]) => /^(case|act|note):/.test(String(name)))
    .map(([name, record]) => ({ name, type: String(name).split(":")[0], id: String(name).split(":")[1],
      status: record.status, at: record.at }))
    .sort((a, b) => a.at - b.at);
}

/* Erase everything after `days` without use; else note this use. */
export async function expireUnused(days) {
  const last = await get("used", db);
  const now = Date.now();
  if (last && now - last > days * 86400000) {
    await wipe();
  }
  await set("used", now, db);
}

export async function wipe() {
  key = null;
  await clear(db);
  if (self.caches) await caches.delete("afr-shell");
}
