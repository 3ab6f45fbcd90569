"""An SMTP sink for LeadGate's tests (aiosmtpd, a real SMTP server).

Listens on 127.0.0.1 on a port the kernel picks and prints that port on the first stdout line. Each message
it accepts becomes NNNN.json in FOLDER: the envelope, the raw bytes, and what Python's own email package reads
in them (decoded headers, body), so tests check the client's encoding against an independent decoder.
Recipients @refused.example get a 550 and @later.example a 451.
With --cert/--key it requires STARTTLS and then AUTH with --user/--password.
"""
import argparse
import asyncio
import json
import os
import ssl
from email import policy
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class FolderHandler:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # Recipients at these domains are refused, permanently or for now, as a real server refuses them.
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such user"
        if address.endswith("@later.example"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        message = BytesParser(policy=policy.default).parsebytes(raw)
        login = getattr(session.auth_data, "login", None)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login.decode() if login else None,
            "tls": session.ssl is not None,
            "headers": [[name, str(value)] for name, value in message.items()],
            "body": message.get_content(),
            "raw": raw.decode("utf-8", "surrogateescape"),
        }
        self.count += 1
        path = os.path.join(self.folder, "%04d.json" % self.count)
        # Written whole before the 250 goes out: once the client's send returns, the file is complete.
        with open(path + ".tmp", "w", encoding="utf-8") as file:
            json.dump(record, file, ensure_ascii=False)
        os.replace(path + ".tmp", path)
        return "250 OK stored"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user", default="leads")
    parser.add_argument("--password", default="secret")
    args = parser.parse_args()

    options = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

        def authenticate(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == args.user.encode() \
                and data.password == args.password.encode()
            # handled=False: aiosmtpd then answers a refusal with 535 itself.
            return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

        options = dict(tls_context=context, require_starttls=True, authenticator=authenticate,
                       auth_required=True, auth_require_tls=True)

    handler = FolderHandler(args.folder)
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, loop=loop, **options), host="127.0.0.1", port=0))
    print(server.sockets[0].getsockname()[1], flush=True)
    loop.run_forever()


if __name__ == "__main__":
    main()
