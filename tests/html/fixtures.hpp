// Pages shaped like the Bug Civil Court demo site (examples/bug_court).
#pragma once

namespace uvscrape::test_pages {

inline constexpr const char* kCaseList = R"(<!DOCTYPE html>
<html><head><title>Cases</title></head>
<body>
<nav><a href="/">Home</a> <a href="/cases">Cases</a></nav>
<form id="date-search" method="get" action="/cases/search">
  <label>From <input type="date" name="from_date" value=""></label>
  <label>To <input type="date" name="to_date"></label>
  <input type="hidden" name="page" value="1">
  <input type="submit" name="go" value="Search">
</form>
<table id="cases-table">
  <tr><th>Docket</th><th>Name</th></tr>
  <tr class="case-row" data-docket="BCC-2024-001">
    <td class="docket"><a class="case-link" href="/cases/2024/1">BCC-2024-001</a></td>
    <td class="case-name">Beetle v. Ant</td><td class="date-filed">2024-01-15</td>
  </tr>
  <tr class="case-row odd" data-docket="BCC-2024-002">
    <td class="docket"><a class="case-link" href="/cases/2024/2">BCC-2024-002</a></td>
    <td class="case-name">Moth v. Flame</td><td class="date-filed">2024-02-01</td>
  </tr>
  <tr class="case-row" data-docket="BCC-2024-003">
    <td class="docket"><a class="case-link" href="/cases/2024/3">BCC-2024-003</a></td>
    <td class="case-name">Wasp   v.  Bee</td><td class="date-filed">2024-03-09</td>
  </tr>
</table>
</body></html>)";

inline constexpr const char* kCaseDetail = R"(<html><body>
<h2>Beetle v. Ant</h2>
<div class="case-details"><dl>
  <dt>Docket</dt><dd id="docket">BCC-2024-001</dd>
  <dt>Plaintiff</dt><dd id="plaintiff"> Beetle </dd>
  <dt>Filed</dt><dd id="date-filed">2024-01-15</dd>
</dl></div>
<div class="documents">
  <a class="opinion-link" href="/opinions/BCC-2024-001">Opinion</a>
</div>
</body></html>)";

}  // namespace uvscrape::test_pages
