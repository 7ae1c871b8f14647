#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into corpus/<target>/.

The seeds are committed; this script says how they were made and remakes them
(`python3 tests/fuzz/make_seeds.py`). Each seed is laid out as its target reads
its input (see the comment at the top of each <target>_fuzz.cpp). br bodies are
compressed with the system's libbrotlienc (libbrotli-dev) through ctypes.
"""
import ctypes
import ctypes.util
import gzip
import json
import os
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def brotli(data):
    lib = ctypes.CDLL(ctypes.util.find_library("brotlienc") or "libbrotlienc.so.1")
    out = ctypes.create_string_buffer(len(data) + 1024)
    size = ctypes.c_size_t(len(out))
    ok = lib.BrotliEncoderCompress(11, 22, 0, ctypes.c_size_t(len(data)), data,
                                   ctypes.byref(size), out)
    assert ok == 1, "BrotliEncoderCompress failed"
    return out.raw[: size.value]


def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


# --- response_parser: options byte, 4 split-plan bytes, then the wire bytes ---
OPT_HEAD, OPT_SMALL, OPT_CLOSE = 1, 2, 4
PLAN_WHOLE = b"\xff\xff\xff\xff"  # 256-byte pieces
PLAN_BYTES = b"\x00\x00\x00\x00"  # one byte at a time
PLAN_MIXED = b"\x00\x06\x02\x1f"

responses = {
    "content_length": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello",
    "chunked_trailers": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                        b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: abc\r\nX-More: d\r\n\r\n",
    "close_delimited": b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until the close",
    "interim_then_final": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                          b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "no_body_304": b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n",
    "pipelined_extra": b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\n\r\n",
    "folded_header": b"HTTP/1.1 404 Not Found\r\nX-A: 1\r\n  continued\r\nConnection: close\r\n"
                     b"Content-Length: 3\r\n\r\nnop",
    "redirect": b"HTTP/1.1 301 Moved\r\nLocation: /next\r\nSet-Cookie: a=b; Path=/\r\n"
                b"Content-Length: 0\r\n\r\n",
    "chunked_big": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   + b"".join(b"%x\r\n%s\r\n" % (n, b"z" * n) for n in (1, 16, 255, 300)) + b"0\r\n\r\n",
}
for name, wire in responses.items():
    write("response_parser", name, bytes([OPT_CLOSE]) + PLAN_MIXED + wire)
write("response_parser", "head_request", bytes([OPT_HEAD]) + PLAN_BYTES + responses["content_length"])
write("response_parser", "small_limits", bytes([OPT_SMALL | OPT_CLOSE]) + PLAN_WHOLE
      + responses["chunked_big"])
write("response_parser", "byte_at_a_time", bytes([OPT_CLOSE]) + PLAN_BYTES
      + responses["chunked_trailers"])

# --- content_decoder: encoding index, limit index, 4 split-plan bytes, body ---
ENCODINGS = ["gzip", "deflate", "br", "x-gzip", "gzip, br", "br, gzip", "deflate, gzip",
             "gzip, gzip", "identity", "GZIP", " br ", "br, br", "utf-8", "gzip, deflate, br", ""]
LIMIT_100, LIMIT_64K, LIMIT_1M = 1, 2, 3
text = b"<html><body>" + b"<p>case 12345, filed 2024-01-02</p>" * 40 + b"</body></html>"
bomb = b"\0" * (2 * 1024 * 1024)


def enc(name, limit, body, plan=PLAN_MIXED):
    return bytes([ENCODINGS.index(name), limit]) + plan + body


write("content_decoder", "gzip", enc("gzip", LIMIT_64K, gzip.compress(text, mtime=0)))
write("content_decoder", "gzip_two_members", enc("gzip", LIMIT_64K,
      gzip.compress(b"first ", mtime=0) + gzip.compress(b"second", mtime=0)))
write("content_decoder", "deflate_zlib", enc("deflate", LIMIT_64K, zlib.compress(text)))
write("content_decoder", "deflate_raw", enc("deflate", LIMIT_64K, raw_deflate(text), PLAN_BYTES))
write("content_decoder", "br", enc("br", LIMIT_64K, brotli(text)))
write("content_decoder", "gzip_then_br", enc("gzip, br", LIMIT_64K,
      brotli(gzip.compress(text, mtime=0))))
write("content_decoder", "gzip_bomb", enc("gzip", LIMIT_1M, gzip.compress(bomb, 9, mtime=0),
      PLAN_WHOLE))
write("content_decoder", "br_bomb", enc("br", LIMIT_1M, brotli(bomb), PLAN_WHOLE))
write("content_decoder", "truncated_gzip", enc("gzip", LIMIT_64K, gzip.compress(text, mtime=0)[:40]))
write("content_decoder", "identity_over_limit", enc("identity", LIMIT_100, text))

# --- charset: Content-Type line, then the body ---
write("charset", "latin1_header", b"text/html; charset=ISO-8859-1\ncaf\xe9 \x80 \x9f \xff")
write("charset", "meta_charset", b"text/html\n<html><head><meta charset=\"windows-1252\">"
      b"</head><body>na\xefve</body></html>")
write("charset", "meta_http_equiv", b"\n<meta http-equiv=\"Content-Type\" "
      b"content=\"text/html; charset='latin1'\"><p>\xe9t\xe9</p>")
write("charset", "utf8_bom", b"text/plain; charset=windows-1252\n\xef\xbb\xbfd\xc3\xa9j\xc3\xa0")
write("charset", "bad_utf8", b"text/html;charset=utf-8\n\xc3\x28 \xe0\x80\xaf \xed\xa0\x80 "
      b"\xf4\x90\x80\x80 \xf0\x9f\x98\x80 \xc3")
write("charset", "utf7_label", b"text/html; charset=utf-7\n+ADw-script+AD4-")

# --- url: a URL (the base), newline, a reference ---
urls = {
    "rfc3986_base": "http://a/b/c/d;p?q\n../../g?y#s",
    "ipv6_port": "https://[::1]:8443/x/./y/../z?q=%41%2f#f\n//[2001:db8::7]/c",
    "userinfo": "http://user:pa%73s@Example.COM:80/%7Euser/ a b\n?only=query",
    "idn_bytes": "http://d\u00e9j\u00e0.example/caf\u00e9?\u00fc=1\n#frag",
    "odd_reference": "https://h/a/b/\n\t java\nscript:alert(1)",
    "relative_only": "../x?y\nhttp://other.example/",
    "dots": "http://h/a/b/c/./../../g\n./../.././/x",
}
for name, text_ in urls.items():
    write("url", name, text_)

# --- html: XPath line, CSS line, then the page ---
page = ("<!DOCTYPE html><html><head><meta charset=utf-8><title>T</title></head><body>"
        "<div id=main class='a x'><p>para <b>bold</b></p><a href='/c/1'>one</a>"
        "<a class=case href=\"c/2?x=1&amp;y=2\">two</a></div>"
        "<form action='/search' method=post><input name=q value='v'>"
        "<input type=checkbox name=c checked><select name=s><option>1<option selected>2</select>"
        "<textarea name=t>text</textarea></form><table><tr><td>1<td>2</table></body></html>")
write("html", "links", "//a[@class='case']/@href\na.case, div#main > p\n" + page)
write("html", "strings", "string(//title)\n[href='/c/1']\n" + page)
write("html", "count", "count(//a)\n*\n" + page)
write("html", "bad_xpath", "//a[\n[unterminated\n" + page)
write("html", "unclosed", "//span//text()\nspan span\n" + "<span>x" * 300 + "<a href=/deep>deep</a>")
write("html", "latin1_meta", b"//p/text()\np\n<meta charset=iso-8859-1><p>caf\xe9</p>")
write("html", "fragments", "/html/body/*\n  td  ,  tr>td  \n<td>cell</td><tr>row<!-- c --><![CDATA[x]]>")

# --- text_elision: option byte, then the page ---
run = " ".join(["lorem"] * 20)
write("text_elision", "case_page", "\x00<!DOCTYPE html><html><head><title>Case 1</title></head>"
      "<body><div class=case-details><h1>Beetle v. Ant</h1><dl><dt>Docket</dt>"
      "<dd class=docket>BCC-000001</dd></dl><p class=summary>" + " ".join(["appeal"] * 200)
      + "</p></div></body></html>\n")
write("text_elision", "contexts", "\x01<p>" + run + "</p><div>  \n " + run + " \n</div><pre>\n"
      + run + "</pre><script>if (a > b) { " + run + " }</script><!-- x > " + run + " -->"
      "<ul><li>" + run + "<li>caf\u00e9 " + run + "</ul>" + run + "<table><tr>" + run + "</table>")
write("text_elision", "in_attribute", "\x00<a title=\"1 > " + run + " < 2\" href=/x>link</a>"
      "<p>" + run + "</p>")
write("text_elision", "placeholder_bytes", "\x01<p>" + run + "</p><p>\ufdd0" + "0\ufdd1</p>")

# --- request_json: JSON text ---
requests = {
    "minimal": {"url": "https://example.com/a"},
    "full": {"method": "POST", "url": "http://h/p", "continuation": "case_page",
             "current_location": "http://h/list", "params": [["a", "1"], ["b", "x y"]],
             "form": [["q", "v"]], "json": None, "headers": [["Accept", "text/html"]],
             "cookies": [["s", "1"]], "permanent": {"headers": [["X", "1"]], "cookies": []},
             "timeout": 2.5, "verify": False, "accumulated_data": {"k": [1, 2]},
             "priority": 3, "dedup_mode": "explicit", "dedup_key": "k1",
             "nonnavigating": True, "archive": True, "expected_type": "pdf",
             "speculation_id": {"state_key": "s", "param_index": 1, "id": 42}},
    "body_hex": {"method": "PUT", "url": "http://h/", "body_hex": "00ff10Ab", "dedup_mode": "skip"},
    "json_body": {"method": "POST", "url": "http://h/", "json": {"a": [True, None, 1.5]}},
    "malformed_params": {"url": "http://h/", "params": [["a"]], "priority": "high"},
}
for name, value in requests.items():
    write("request_json", name, json.dumps(value))

# --- robots_parse: user agent line, path line, then the robots.txt body ---
robots = {
    "rfc_example": "uvscrape\n/example/page.html\n"
                   "User-Agent: *\nDisallow: *.gif$\nDisallow: /example/\nAllow: /publications/\n\n"
                   "User-Agent: foobot\nDisallow:/\nAllow:/example/page.html\n"
                   "Allow:/example/allowed.gif\n\nUser-Agent: barbot\nUser-Agent: bazbot\n"
                   "Disallow: /example/page.html\n\nUser-Agent: quxbot\n\nEOF\n",
    "longest_match": "foobot/1.0\n/example/page/disallowed.gif\n"
                     "User-Agent: foobot\nAllow: /example/page/\n"
                     "Disallow: /example/page/disallowed.gif\n",
    "wildcards": "uvscrape\n/fish/salmon.php?x=1\n"
                 "User-agent: *\nDisallow: /*.php$\nAllow: /fish*\nDisallow: /$\nDisallow: /a*b*c\n",
    "percent": "uvscrape\n/foo/bar/%62%61%7A\n"
               "user-agent: *\ndisallow: /foo/bar/baz\nallow: /a%2Fb\ndisallow: /%E3%83%84\n",
    "crlf_bom_crawl_delay": b"slowbot\r\n/x\n\xef\xbb\xbfUser-agent: slowbot\r\nCrawl-delay: 0.5\r\n"
                            b"Disallow: /x\rSitemap: https://example.org/s.xml\r\n",
    "garbage": b"*\n/\n<html>no colon here\n: empty key\nDisallow: /before-agent\n"
               b"User-agent: *\n\x00\xff junk: \x80\nDisallow /nocolon\nDisallow: %zz\n",
}
for name, value in robots.items():
    write("robots_parse", name, value)

# --- set_cookie: a URL line, then one Set-Cookie header per line ---
set_cookies = {
    "login": "https://portal.example.gov/login\nASP.NET_SessionId=x1; path=/; HttpOnly\n"
             "token=\"q v\"; Secure; SameSite=Lax; Max-Age=3600",
    "domains": "http://www.example.co.uk/a/b\na=1; Domain=.example.co.uk\nb=2; Domain=co.uk\n"
               "c=3; Domain=other.org\nd=4; Domain=WWW.EXAMPLE.CO.UK; Path=/a",
    "dates": "http://h.test/\na=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT\n"
             "b=2; expires=Sun, 06 Nov 2094 08:49:37 GMT\nc=3; Max-Age=0\n"
             "d=4; Max-Age=99999999999999999999; Expires=garbage",
    "ip_host": "http://127.0.0.1:8080/x/y\na=1; Domain=127.0.0.1\nb=2; Domain=0.0.1\nnoequals\n=v",
}
for name, text in set_cookies.items():
    write("set_cookie", name, text)
