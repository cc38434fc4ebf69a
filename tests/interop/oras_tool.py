"""oras-py (an independent OCI client) as a test peer for nv2.

  oras_tool.py push  <host> <repo:tag> <file>     push <file> as an artifact; prints its manifest digest
  oras_tool.py manifest <host> <repo@digest>      prints the manifest JSON exactly as oras fetched it
  oras_tool.py blob <host> <repo> <digest> <out>  pulls one blob to <out>
"""
import json
import sys

import oras.client


def client(host):
    return oras.client.OrasClient(hostname=host, insecure=True)


def main(argv):
    cmd, host = argv[1], argv[2]
    c = client(host)
    if cmd == "push":
        ref, path = argv[3], argv[4]
        resp = c.push(target=f"{host}/{ref}", files=[path], disable_path_validation=True)
        resp.raise_for_status()
        print(resp.headers["Docker-Content-Digest"])
    elif cmd == "manifest":
        print(json.dumps(c.get_manifest(f"{host}/{argv[3]}")))
    elif cmd == "blob":
        repo, digest, out = argv[3], argv[4], argv[5]
        c.download_blob(f"{host}/{repo}", digest, out)
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
