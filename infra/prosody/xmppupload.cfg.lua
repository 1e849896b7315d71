-- XmppUpload: attach the upload service to Prosody as an external component (XEP-0114).
--
-- Easiest: copy this file to /etc/prosody/conf.d/xmppupload.cfg.lua (Debian's prosody.cfg.lua ends with
-- Include "conf.d/*.cfg.lua"; every included file starts in the global scope, so the global lines below
-- stay global). If you paste it into prosody.cfg.lua instead, put the global lines above the first
-- VirtualHost and the Component section at the end.
--
-- Replace example.org with your domain and the secret, then: prosodyctl check config && prosodyctl restart
--
-- The same domain and secret go into the XmppUpload node configuration
-- (XMPP component domain, secret, and the host/port of the component listener below).

---------- Global section (before any VirtualHost) ----------

-- Port and interface where Prosody accepts component connections. 5347 is the customary port.
-- Keep it on loopback or a private network: XEP-0114 streams are not encrypted.
component_ports = { 5347 }
component_interfaces = { "127.0.0.1" }

---------- Component section ----------

-- A subdomain of a VirtualHost (upload.example.org under example.org) is listed automatically in
-- that host's disco#items, which is how clients find the service (XEP-0363 section 2).
Component "upload.example.org"
    -- Shared secret for the XEP-0114 handshake. Use a long random string, e.g. `openssl rand -hex 32`.
    component_secret = "change-me-to-a-long-random-secret"

-- Only if the component's domain is NOT a subdomain of your VirtualHost, advertise it explicitly
-- in the VirtualHost's disco#items so clients still discover it:
--
-- VirtualHost "example.org"
--     disco_items = {
--         { "files.example.net", "HTTP File Upload" };
--     }

-- Do not also enable Prosody's own mod_http_file_share or mod_http_upload for this domain:
-- the component must be the only thing answering upload slot requests.
