# Cairn's page preview, run inside the site's own Jekyll.
#
# Cairn starts the site's Jekyll command with RUBYOPT=-r<this file> and the
# subcommand `cairn-preview SOURCE DESTINATION CONFIG`. The process stays
# up: the site is read once, then each request (one JSON line on standard
# input) says which files of SOURCE changed and which page to build. Changed
# documents are read again on their own; anything else (the configuration,
# a layout, an include, data, a new file) reads the whole site again. Only
# the page asked for is rendered, into the file the request names; the
# site's static files and stylesheets go to DESTINATION once per full read.
# Each answer is one JSON line on the process's original standard output
# (what plugins print goes to standard error).
require "jekyll"
require "json"
require "stringio"

module Jekyll
  module Commands
    class CairnPreview < Command
      class << self
        def init_with_program(prog)
          prog.command(:"cairn-preview") do |c|
            c.syntax "cairn-preview SOURCE DESTINATION CONFIG"
            c.description "Build single pages for Cairn's preview (requests on standard input)"
            c.action { |args, _options| serve(*args) }
          end
        end

        def serve(source, dest, extra)
          reply = $stdout.dup
          reply.sync = true
          $stdout.reopen($stderr)
          site = nil
          $stdin.each_line do |line|
            request = JSON.parse(line)
            log = StringIO.new
            answer =
              begin
                $stdout = log
                $stderr = log
                changed = request.fetch("changed", [])
                if site.nil? || request["full"] || needs_full?(site, source, changed)
                  site = nil
                  site = read_site(source, dest, extra)
                else
                  reread(site, source, changed)
                end
                render_one(site, source, request.fetch("page"), request.fetch("out"))
              rescue Exception => e # rubocop:disable Lint/RescueException
                # A plugin's LoadError or SyntaxError too: the answer says it.
                site = nil
                printed = log.string.rstrip
                text = printed.empty? ? "#{e.class}: #{e.message}" : printed
                text += "\n#{e.message}" unless text.include?(e.message.to_s.lines.first.to_s.strip)
                { "ok" => false, "error" => text }
              ensure
                $stdout = STDOUT
                $stderr = STDERR
                STDERR.write(log.string)
              end
            answer["log"] ||= log.string if answer["ok"]
            reply.puts(JSON.generate(answer))
          end
        end

        def read_site(source, dest, extra)
          config = Jekyll.configuration(
            "source"      => source,
            "destination" => dest,
            "config"      => [File.join(source, "_config.yml"), extra],
            "quiet"       => true
          )
          Jekyll.logger.log_level = :warn
          site = Jekyll::Site.new(config)
          site.reset
          site.read
          site.generate
          # What a page needs from the rest of the site: its static files
          # (images, scripts) and stylesheets made from Sass.
          site.static_files.each { |file| file.write(site.dest) }
          payload = site.site_payload
          site.pages.each do |page|
            next unless [".css", ".js"].include?(page.output_ext)

            begin
              page.output = Jekyll::Renderer.new(site, page, payload).run
              page.write(site.dest)
            rescue StandardError => e
              Jekyll.logger.warn "Cairn preview:", "#{page.relative_path}: #{e.message}"
            end
          end
          site
        end

        def document_at(site, path)
          site.collections.each_value do |collection|
            collection.docs.each { |doc| return doc if doc.path == path }
          end
          nil
        end

        # Whether a change is more than documents Jekyll already holds.
        def needs_full?(site, source, changed)
          changed.any? { |rel| document_at(site, File.join(source, rel)).nil? }
        end

        def reread(site, source, changed)
          changed.each do |rel|
            path = File.join(source, rel)
            site.collections.each_value do |collection|
              index = collection.docs.index { |doc| doc.path == path }
              next if index.nil?

              if File.file?(path)
                doc = Jekyll::Document.new(path, :site => site, :collection => collection)
                doc.read
                collection.docs[index] = doc
              else
                collection.docs.delete_at(index)
              end
              collection.docs.sort!
            end
          end
        end

        def render_one(site, source, page, out)
          path = File.join(source, page)
          doc = document_at(site, path) ||
            site.pages.find { |p| File.join(source, p.relative_path) == path }
          return { "ok" => false, "unbuilt" => true } if doc.nil?
          return { "ok" => false, "unbuilt" => true } if doc.respond_to?(:write?) && !doc.write?

          payload = site.site_payload
          Jekyll::Hooks.trigger :site, :pre_render, site, payload
          doc.output = Jekyll::Renderer.new(site, doc, payload).run
          doc.trigger_hooks(:post_render)
          File.write(out, doc.output)
          { "ok" => true, "url" => doc.url }
        end
      end
    end
  end
end
