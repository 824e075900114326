// Local fixes for Django's admin (templates/admin/base_site.html), loaded with defer.
//
// The filter boxes of the many-to-many selectors (SelectFilter2.js, drawn on window load) put an
// aria-label on a bare <span> icon, which ARIA does not allow (axe: aria-prohibited-attr). Giving the
// icon role="img" makes the label valid, so a screen reader still hears what the box is for.
"use strict";
(function () {
  function nameIcons(root) {
    root.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  nameIcons(document);
  new MutationObserver(function () { nameIcons(document); }).observe(document.body, { childList: true, subtree: true });
})();
