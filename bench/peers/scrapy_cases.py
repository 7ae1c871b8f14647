#!/usr/bin/python3
"""The cases crawl (examples/cases_crawl) written for Scrapy, the framework a
user would otherwise pick: the peer of bench/fault_crawl.

    scrapy_cases.py BASE_URL OUT_DIR CONCURRENCY

Starts at /cases/page/1.html, follows rel=next first, takes the four fields of
every case page as one item (OUT_DIR/items.jsonl) and saves each linked PDF
under OUT_DIR/docs/. Scrapy's defaults otherwise, retries included (2 retries
of 5xx, 408, 429 and network errors, sent again at once). Debian's
python3-scrapy installs for /usr/bin/python3, hence the interpreter above.
"""
import os
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class CasesSpider(scrapy.Spider):
    name = "cases"

    def __init__(self, base, out, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [f"{base}/cases/page/1.html"]
        self.out = out

    def parse(self, response):
        for href in response.xpath("//a[@class='case']/@href").getall():
            yield response.follow(href, self.parse_case)
        for href in response.xpath("//a[@rel='next']/@href").getall():
            yield response.follow(href, self.parse, priority=10)

    def parse_case(self, response):
        item = {field: response.xpath(f"//dd[@class='{field}']/text()").get()
                for field in ("docket", "filed", "judge", "status")}
        for href in response.xpath("//a[@class='pdf']/@href").getall():
            yield response.follow(href, self.save_document)
        yield item

    def save_document(self, response):
        with open(os.path.join(self.out, "docs", response.url.rsplit("/", 1)[1]), "wb") as fh:
            fh.write(response.body)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    base, out, concurrency = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
    os.makedirs(os.path.join(out, "docs"), exist_ok=True)
    process = CrawlerProcess(settings={
        "LOG_LEVEL": "WARNING",
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "FEEDS": {os.path.join(out, "items.jsonl"): {"format": "jsonlines"}},
    })
    process.crawl(CasesSpider, base=base, out=out)
    process.start()


if __name__ == "__main__":
    main()
